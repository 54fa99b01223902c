"""Behavioural tests (CheckList): what the models cannot do, capability by capability (the Behaviour page)."""
