"""Built-in rules.  Each module holds one rule or a small family of rules,
with its documentation in the class docstring."""
