"""What the person did: reps and their phases, form cues per rep, the session log of sets and rests,
and the prediction of one video that joins them to the recognised exercise.

May import: `fittrack.pose`, `fittrack.recognition`, `fittrack.storage` and the top-level modules.
Never: `jobs`.
"""
