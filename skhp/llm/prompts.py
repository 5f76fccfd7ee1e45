"""Prompt templates: validation and rendering.

A template is a ``str.format`` string with the placeholder ``{text}`` and,
optionally, ``{labels}`` (the label names, comma separated) and ``{examples}``
(the few-shot block drawn in ``fit``).
"""

import string

__all__ = [
    "DEFAULT_CLASSIFIER_PROMPT",
    "DEFAULT_EXAMPLE_TEMPLATE",
    "DEFAULT_GENERATOR_PROMPT",
    "check_template",
    "render_examples",
    "render_prompt",
]

DEFAULT_CLASSIFIER_PROMPT = (
    "Choose one label from: {labels}.\n{examples}Text: {text}\nAnswer:"
)
DEFAULT_GENERATOR_PROMPT = "{examples}Text: {text}\nAnswer:"
DEFAULT_EXAMPLE_TEMPLATE = "Text: {text}\nAnswer: {label}\n"

_FIELDS = ("text", "labels", "examples")


def _fields(template, param):
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(
            f"The {param!r} parameter is not a valid template ({exc}): "
            f"{template!r}. Write literal braces as '{{{{' and '}}}}'."
        ) from None
    fields = []
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if name == "" or spec or conv:
            raise ValueError(
                f"The {param!r} parameter has an unsupported placeholder "
                f"'{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}'"
                f" in {template!r}. Use plain named placeholders such as '{{text}}';"
                " write literal braces as '{{' and '}}'."
            )
        fields.append(name)
    return fields


def check_template(template, *, param="prompt", allowed=_FIELDS, required=("text",)):
    """Validate a template and return the set of placeholders it uses.

    Parameters
    ----------
    template : str
        The template.
    param : str, default="prompt"
        Name of the estimator parameter, used in error messages.
    allowed : tuple of str, default=("text", "labels", "examples")
        Placeholders that may appear.
    required : tuple of str, default=("text",)
        Placeholders that must appear.

    Returns
    -------
    fields : set of str
        The placeholders used.

    Raises
    ------
    ValueError
        For a missing required placeholder or an unknown one.
    """
    fields = _fields(template, param)
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(
            f"The {param!r} parameter has unknown placeholder(s) "
            f"{', '.join('{' + u + '}' for u in unknown)} in {template!r}. "
            f"Allowed placeholders: {', '.join('{' + a + '}' for a in allowed)}; "
            "write literal braces as '{{' and '}}'."
        )
    missing = [r for r in required if r not in fields]
    if missing:
        raise ValueError(
            f"The {param!r} parameter must contain the placeholder "
            f"{', '.join('{' + m + '}' for m in missing)}, got {template!r}. "
            f"Add '{{{missing[0]}}}' where the input should go."
        )
    return set(fields)


def render_examples(examples, example_template):
    """Format few-shot ``(text, label)`` pairs into one block."""
    return "".join(
        example_template.format(text=text, label=label) for text, label in examples
    )


def render_prompt(template, text, *, labels=None, examples=""):
    """Fill a validated template for one input text."""
    values = {"text": text, "examples": examples}
    if labels is not None:
        values["labels"] = ", ".join(labels)
    return template.format(**values)
