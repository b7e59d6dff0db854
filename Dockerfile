# One image for every fittrack service (worker, flower, webapp, producer,
# trainer); docker-compose.yml picks the command. The pose model bundle is
# part of the package (fittrack/models), so nothing is downloaded at run time.

# --- build: wheels for fittrack and its locked dependencies -----------------
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY fittrack ./fittrack
COPY workers ./workers
COPY producer ./producer
COPY trainer ./trainer
COPY webapp ./webapp
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

# --- run: slim, non-root, no build tools and no test dependencies ------------
FROM python:3.11-slim
# OpenCV and MediaPipe load libGL and GLib even when nothing is displayed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels fittrack==0.1.0 \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 fittrack
USER 10001
WORKDIR /home/fittrack
ENV PYTHONUNBUFFERED=1 FITTRACK_HOME=/home/fittrack/.fittrack
EXPOSE 5555 8501
CMD ["fittrack", "--help"]
