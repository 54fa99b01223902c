"""The class: students send reviews from their phones (Submit a review); the lecturer watches them arrive (Class)."""
