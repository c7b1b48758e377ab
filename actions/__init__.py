"""rasa-sdk custom actions: one module per concern, the knowledge base behind `knowledge_access`."""
