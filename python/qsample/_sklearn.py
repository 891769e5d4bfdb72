"""scikit-learn's estimator conventions without importing scikit-learn.

An estimator's settings are the keyword arguments of its ``__init__``, stored
as given under the same names; :class:`ParamsMixin` reads them from the
signature (``get_params``), sets them (``set_params``, ``__`` for nested
estimators), prints them as scikit-learn does (only those that differ from
the defaults) and gives scikit-learn's tags when scikit-learn asks (it is
imported only then). So ``sklearn.base.clone``, ``Pipeline`` and
``GridSearchCV`` work, and qsample does not need scikit-learn to run.
"""

from __future__ import annotations

import inspect
from typing import Any


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted estimator was called before ``fit``
    (raised as ``sklearn.exceptions.NotFittedError`` when scikit-learn is
    installed, which is also a ValueError and an AttributeError)."""


def not_fitted(estimator: Any, method: str) -> Exception:
    """The error for calling ``method`` on an unfitted ``estimator``."""
    message = f"this {type(estimator).__name__} is not fitted yet; call 'fit' before '{method}'"
    try:
        from sklearn.exceptions import NotFittedError as SklearnNotFitted
    except ImportError:
        return NotFittedError(message)
    return SklearnNotFitted(message)


class ParamsMixin:
    """``get_params``/``set_params``/``__repr__`` and scikit-learn's tags for a
    class whose ``__init__`` takes keyword settings only and stores each as given."""

    #: scikit-learn < 1.6 reads the estimator type from this attribute.
    _estimator_type = "classifier"

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The settings, by name (with ``deep``, nested estimators' settings too
        as ``name__setting``)."""
        out: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params: Any) -> ParamsMixin:
        """Set settings by name (``name__setting`` for nested estimators); a name
        that is not a setting is refused with the list of settings."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"{key!r} is not a setting of {type(self).__name__}; its settings are {valid}"
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = []
        for name in self._param_names():
            value = getattr(self, name)
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = value is default or bool(value == default)
            except Exception:  # arrays and odd objects compare oddly
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=False),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(sparse=True),
            requires_fit=True,
        )
