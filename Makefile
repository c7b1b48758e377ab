# Everyday commands. `make help` lists them.
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup train run test check render eval validate lock clean bench crossval teams

help: ## Visa kommandona
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Installera och bygg det som behövs (gör inget om inget ändrats)
	@bash bot/scripts/setup.sh

train: setup ## Träna modellen om något ändrats
	@$(PY) -m bot.train

run: setup ## Starta boten på localhost (Ctrl-C stoppar)
	@$(PY) -m bot.run

test: ## Kör alla tester (installerar vid behov)
	@bash bot/scripts/test.sh

check: setup ## Kontrollera kunskapsbasen
	@$(PY) -m knowledge check

render: setup ## Rita processkartan till build/processkarta.svg
	@$(PY) -m knowledge render --out build/processkarta.svg

eval: setup ## Mät sökträffarna i kunskapsbasen mot frågebanken
	@$(PY) -m knowledge eval

validate: setup ## rasa data validate
	@$(PY) -m rasa data validate --domain bot/domain --data data --config config.yml

lock: ## Lås om beroendena efter ändring i requirements.in
	@bash bot/scripts/lock.sh

clean: ## Ta bort byggda filer och modeller (inte konversationerna i var/)
	rm -rf build models results

bench: setup ## Mät svarstiden via REST (jämför med rasa init-boten)
	@$(PY) -m bot.bench

crossval: setup ## Korsvalidera NLU (5 delar) och skriv rapporten till docs/nlu-korsvalidering.md
	@$(PY) -m bot.crossval

teams: setup ## Paketera Teams-appen till build/teams-app.zip (kräver MICROSOFT_APP_ID)
	@$(PY) -m bot.teams package
