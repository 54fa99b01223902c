"""Behavioural tests in the manner of CheckList (Ribeiro, Wu, Guestrin & Singh, ACL 2020): what a sentiment model
can and cannot do, capability by capability, on texts built from small templates.

    suite = suite_for("english")                  # templates.py: the tests, expanded deterministically
    report = check(models, suite)                 # checklist.py: every model's failures, test by test
    report.rates()                                # capability -> model -> failure rate

Two kinds of test, as in the paper: a minimum-functionality test (MFT) expects a class from its template
("This film is not good." -> negative); an invariance test (INV) perturbs a text in a way that must not change the
answer (a typo, another name, another neutral word) and fails when the prediction flips.
"""

from .checklist import CHECKLIST_TABLE_1, CaseResult, ModelReport, Report, check, known_words
from .templates import CAPABILITIES, SUITES, Case, Test, suite_for

__all__ = [
    "CAPABILITIES", "CHECKLIST_TABLE_1", "SUITES", "Case", "CaseResult", "ModelReport", "Report", "Test", "check",
    "known_words", "suite_for",
]  # fmt: skip
