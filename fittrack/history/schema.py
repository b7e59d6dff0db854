"""The tables of the history, as typed SQLAlchemy classes. Changing them needs a migration (`migrations/`).

A workout is one analysed upload; its sets come from the session log (one
set for a single-exercise video), each set's reps carry their form cues, and
rests are kept apart so "how long did I rest" needs no arithmetic on gaps.
Child rows go with their workout (ON DELETE CASCADE and the ORM's cascade),
so deleting a workout is one statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


RECORDED_FROM_VIDEO = "video"  # the creation time written by the camera into the container
RECORDED_FROM_UPLOAD = "upload"  # no usable creation time: when the video was uploaded
RECORDED_BY_PERSON = "person"  # the person edited the date


class Workout(Base):
    __tablename__ = "workouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(80), unique=True)  # the analysis job that wrote it: one per job
    upload_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")  # the file name the person uploaded (display only)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    recorded_from: Mapped[str] = mapped_column(String(16))  # RECORDED_FROM_VIDEO / _UPLOAD / RECORDED_BY_PERSON
    duration_s: Mapped[float] = mapped_column(Float)
    exercise: Mapped[str] = mapped_column(String(32), default="")  # the video's answer; "" without one
    named_by: Mapped[str] = mapped_column(String(16), default="")  # "model" or "person"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    sets: Mapped[list[WorkoutSet]] = relationship(back_populates="workout", cascade="all, delete-orphan",
                                                  order_by="WorkoutSet.position", passive_deletes=True)
    rests: Mapped[list[Rest]] = relationship(cascade="all, delete-orphan", order_by="Rest.start_s",
                                             passive_deletes=True)


class WorkoutSet(Base):
    __tablename__ = "sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workout_id: Mapped[int] = mapped_column(ForeignKey("workouts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the order they were done
    exercise: Mapped[str] = mapped_column(String(32), index=True)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    reps: Mapped[int] = mapped_column(Integer)
    named_by: Mapped[str] = mapped_column(String(16))

    workout: Mapped[Workout] = relationship(back_populates="sets")
    rep_rows: Mapped[list[Rep]] = relationship(cascade="all, delete-orphan", order_by="Rep.position",
                                               passive_deletes=True)


class Rep(Base):
    __tablename__ = "reps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("sets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)

    cues: Mapped[list[RepCue]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class RepCue(Base):
    """One form cue's verdict on one rep (fittrack.movement.form.RepCue)."""

    __tablename__ = "rep_cues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    cue: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(16))  # ok / fault / not_visible
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)


class Rest(Base):
    __tablename__ = "rests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workout_id: Mapped[int] = mapped_column(ForeignKey("workouts.id", ondelete="CASCADE"), index=True)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
