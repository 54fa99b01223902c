"""The memory lab: how far back each cell remembers (Memory lab page) and why (Gradients through time)."""
