"""The Glass box page: a run's cell as textbook equations, checked against the NumPy reference."""
