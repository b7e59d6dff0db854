"""The tables of the database, as typed SQLAlchemy classes. Changing them needs a migration (`migrations/`).

Workouts are the history; users, their sign-in sessions and failed sign-ins
are the accounts that own them (fittrack.accounts). One schema, one
migration history, one database.

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
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True,
                                                 nullable=True)  # None: single-user mode (no accounts)
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


class User(Base):
    """An account. The id, not the name, is what uploads and workouts carry, so no name reaches a store key."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex
    name: Mapped[str] = mapped_column(String(64), unique=True)  # as typed at sign-in, compared lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, with its parameters and salt
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInSession(Base):
    """A signed-in browser: only the token's sha256 is kept, so a copy of the database signs no one in."""

    __tablename__ = "sign_in_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SignInFailure(Base):
    """A failed sign-in, kept a short while to refuse guessing (per name and per client)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)  # lower-cased, whether or not such a user exists
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
