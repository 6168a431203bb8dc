"""Call a Gradio UI event's handler as the browser's event calls it, without a browser.

The handler gets what the page holds when it starts (each input component's initial value) with
the values a test gives by element id or by component, in the form the event declares (one dict
keyed by component for events whose inputs are a set), and the request.
"""

from __future__ import annotations

from typing import Any


def call_event(
    blocks: Any, name: str, request: Any, by_component: dict[Any, Any] | None = None, **by_elem_id: Any
) -> Any:
    """Run the event handler named ``name`` (its function's name) of ``blocks``; returns what it returns.

    ``by_elem_id`` keys are element ids with ``-`` written as ``_`` (``cv_file`` for ``#cv-file``)."""
    event = next(f for f in blocks.fns.values() if f.name == name)
    given = {key.replace("_", "-"): value for key, value in by_elem_id.items()}
    values: dict[Any, Any] = {}
    for component in event.inputs:
        elem = getattr(component, "elem_id", None)
        values[component] = given.pop(elem) if elem in given else getattr(component, "value", None)
    values.update(by_component or {})
    assert not given, f"{name} reads no component with the ids {sorted(given)}"
    if event.inputs_as_dict:
        return event.fn(values, request)
    return event.fn(*values.values(), request)
