"""The questionnaire engine: one engine, many questionnaires defined as data."""
