"""The work a service asks for, one function per job: extract a stored video, analyse an upload,
apply a person's correction, train from the store, write session logs,
store an upload, and keep people's labels.

Each reads its inputs from the store and writes its outputs back, so a
Celery task (`workers/tasks.py`) or a command is a thin call into here.
The only sub-package that may import all the others.
"""
