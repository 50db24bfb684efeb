"""studydeck: spaced repetition, Anki export and quizzes from paper-reading notes."""

__version__ = "0.1.0"
