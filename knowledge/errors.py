"""Coded, Swedish problem messages for the knowledge-base check.

The codes stay stable so tests and editors can refer to a rule; the text is
what an editor reads next to the file and line, so it is Swedish klarspråk.
"""
from __future__ import annotations


class Errors:
    E001 = "YAML-fel: {what}"
    E002 = "filen måste vara en mappning med sektioner överst, inte {found}"
    E003 = 'okänd sektion "{section}" (tillåtna: {allowed})'
    E004 = 'sektionen "{section}" måste vara en lista'
    E005 = "posten måste vara en mappning med fält, inte {found}"
    E010 = 'okänt fält "{field}"'
    E011 = 'fältet "{field}" saknas'
    E012 = 'fältet "{field}" ska vara {expected}, inte {found}'
    E013 = 'fältet "{field}" har värdet "{value}", tillåtna värden: {allowed}'
    E014 = 'fältet "{field}" får inte vara tomt'
    E020 = 'id "{id}" finns redan ({other})'
    E021 = 'id "{id}" får bara innehålla små bokstäver a–z, siffror och bindestreck'
    E022 = 'steg-id "{id}" ska börja med "{prefix}" för parten "{party}"'
    E030 = '{field} pekar på {kind} "{ref}" som inte finns'
    E031 = 'nummer {number} finns redan för parten "{party}" (steg "{other}")'
    E032 = 'ett ja_nej-steg måste ha "decision" med minst två svar'
    E033 = 'ett ja_nej-steg får inte ha "next" (använd decision.answers)'
    E034 = '"decision" är bara tillåtet för steg med shape ja_nej'
    E035 = "steget leder ingenstans men är inte markerat som slut (shape: stopp eller end: true)"
    E036 = "steget kan inte nås från något start-steg"
    W003 = 'handover pekar på "{ref}" som ligger i samma part ({party}); använd next'
    E040 = 'felaktig lagrumshänvisning "{ref}" (exempel: "30 kap. 10 §", "2 kap. 1–3 §§", "5 §")'
    E041 = 'felaktigt SFS-nummer "{value}" (exempel: "2010:110")'
    E042 = 'länken "{value}" måste vara en https://-adress'
    E043 = "posten saknar källa (source ska lista minst ett käll-id)"
    E044 = 'källa av typen "{kind}" måste ha fältet "{field}"'
    E045 = 'felaktigt datum "{value}" (skriv ÅÅÅÅ-MM-DD)'
    W001 = "granskades senast {reviewed}, mer än 12 månader sedan"
    W002 = "granskningsdatum {reviewed} ligger i framtiden"


class KnowledgeBaseError(Exception):
    """Raised by `load` so a broken knowledge base never reaches the bot."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"Kunskapsbasen har {len(problems)} fel:\n{lines}")
