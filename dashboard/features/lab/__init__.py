"""The memory lab: how far back each cell remembers (Memory lab page) and why (Gradients through time)."""

# The Gradients page's distance slider: its widget key, and its name in the page address, which the Memory lab's
# link sets so that "Why: gradients" opens at the distance looked at there.
GRADIENTS_DISTANCE = "gradients_distance"
