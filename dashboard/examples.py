"""Example reviews a page can start from, per data-set language (the Playground and Inside the model share them)."""

from pipelines.records import DatasetSummary

EXAMPLES = {
    "english": [
        "A gorgeous, moving film with a superb cast.",
        "Dull, tedious and far too long.",
        "Not bad at all.",
        "I wanted to love this movie, but the plot is a mess and the ending makes no sense.",
        "The acting is wonderful; the script is terrible.",
        "Not the best film of the year, but far from the worst.",
    ],
    "indonesian": [
        "Makanannya enak sekali dan pelayanannya ramah.",
        "Pelayanannya buruk, saya sangat kecewa.",
        "Tempatnya biasa saja.",
        "Tidak jelek, tapi juga tidak istimewa.",
    ],
}


def examples_for(summary: DatasetSummary) -> list[str]:
    """The examples in a data set's language (from its dataset.json summary); none for other languages."""
    return EXAMPLES.get(summary.language, [])
