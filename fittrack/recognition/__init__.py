"""Which exercise it is: window features, the forest and its `other` modes, training, evaluation
grouped by origin, the decision rule (operating point) and the `.model` file.

(Named `recognition`, not `model`, so it is not mistaken for `fittrack/models/`,
the bundled pose model.)

May import: `fittrack.pose` (angle names), `fittrack.storage` and the top-level modules.
Never: `movement`, `jobs`.
"""
