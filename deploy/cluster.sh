#!/usr/bin/env bash
# The production shape on this one machine, loopback only, from the files in deploy/:
#   nginx (deploy/nginx) -> two web nodes (gunicorn gthread, deploy/gunicorn.conf.py)
#   two task workers (qcluster; the first runs the schedules) on their own Redis
#   PostgreSQL through pgbouncer in transaction mode (deploy/pgbouncer)
#
#   deploy/cluster.sh start    start whatever is not running (idempotent), migrate, seed
#   deploy/cluster.sh stop     stop everything cleanly (SIGKILL only for what outstays its time)
#   deploy/cluster.sh start|stop COMPONENT...   only those (nginx web-a web-b worker-a
#                              worker-b pgbouncer redis), e.g. to restart one
#   deploy/cluster.sh status   what runs, with its pid
#   deploy/cluster.sh env      the service's environment, for `set -a; . <(deploy/cluster.sh env)`
#
# CLUSTER_NAME (demo) names the run folder var/cluster/NAME, where the rendered configuration,
# the pid files, the logs and the mail files live. CLUSTER_PORT (8380) is nginx's port; the
# web nodes take PORT+1 and PORT+2, pgbouncer PORT+3, Redis PORT+4. CLUSTER_DATABASE
# (lga_cluster_NAME) is made on PostgreSQL at PG_HOST:PG_PORT (127.0.0.1:5432, user postgres)
# if missing. CLUSTER_SEED=demo (the default) loads the demo data; CLUSTER_SEED=none does not.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY=$ROOT/deploy
BIN=$ROOT/.venv/bin
NAME=${CLUSTER_NAME:-demo}
PORT=${CLUSTER_PORT:-8380}
RUN=${CLUSTER_RUN:-$ROOT/var/cluster/$NAME}
DATABASE=${CLUSTER_DATABASE:-lga_cluster_$NAME}
SEED=${CLUSTER_SEED:-demo}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
WEB_A_PORT=$((PORT + 1))
WEB_B_PORT=$((PORT + 2))
PGBOUNCER_PORT=$((PORT + 3))
REDIS_PORT=$((PORT + 4))
# Stopped in this order: the proxy first, the stores last.
COMPONENTS=(nginx web-a web-b worker-a worker-b pgbouncer redis)

say() { printf '%s\n' "$*" >&2; }

pid_of() { # the pid in the component's pid file, if that process is alive
  local file=$RUN/$1.pid
  [ "$1" = pgbouncer ] && file=$RUN/pgbouncer/pgbouncer.pid
  [ -s "$file" ] || return 1
  local pid
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 5))); do
    "$@" && return 0
    sleep 0.2
  done
  say "cluster: $what did not come up; see $RUN/log/"
  return 1
}

service_env() {
  cat <<EOF
DJANGO_SETTINGS_MODULE=scheduling.settings
DEBUG=0
SECRET_KEY=$(cat "$RUN/secret_key")
SECURE_SSL_REDIRECT=0
ALLOWED_HOSTS=127.0.0.1,localhost
SITE_URL=http://127.0.0.1:$PORT
DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PGBOUNCER_PORT/$DATABASE
DATABASE_TRANSACTION_POOLING=1
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
TRUSTED_PROXIES=127.0.0.1
EMAIL_FILE_PATH=$RUN/mail
LOG_LEVEL=${CLUSTER_LOG_LEVEL:-WARNING}
WEB_WORKERS=${WEB_WORKERS:-2}
WEB_THREADS=${WEB_THREADS:-8}
Q_WORKERS=${Q_WORKERS:-2}
EOF
}

render() { # render TEMPLATE OUTPUT: fill only our own ${NAME}s (nginx's $variables stay)
  local names
  names=$(grep -o '\${[A-Z_]*}' "$1" | sort -u | tr '\n' ' ')
  envsubst "$names" <"$1" >"$2"
}

prepare() {
  mkdir -p "$RUN"/{log,mail,redis,pgbouncer,nginx,metrics-a,metrics-b}
  [ -s "$RUN/secret_key" ] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$RUN/secret_key"
  service_env >"$RUN/env"
  local owner
  owner=$(stat -c %U "$ROOT")
  export RUN PG_HOST PG_PORT PG_USER PGBOUNCER_PORT
  export NGINX_USER=$owner PGBOUNCER_RUN=$RUN/pgbouncer PGBOUNCER_LOG=$RUN/log/pgbouncer.log
  export PGBOUNCER_AUTH_FILE=$RUN/pgbouncer/userlist.txt PGBOUNCER_AUTH_TYPE=trust
  export PGBOUNCER_LISTEN_ADDR=127.0.0.1
  export LGA_LISTEN=127.0.0.1:$PORT LGA_SERVER_NAME=127.0.0.1 LGA_STATIC_ROOT=$ROOT/var/static
  export LGA_WEB_A=127.0.0.1:$WEB_A_PORT LGA_WEB_B=127.0.0.1:$WEB_B_PORT
  export LGA_FORWARDED_PROTO='$scheme'
  render "$DEPLOY/nginx/nginx.conf" "$RUN/nginx.conf"
  render "$DEPLOY/nginx/lga-scheduling.conf" "$RUN/lga-scheduling.conf"
  render "$DEPLOY/pgbouncer/pgbouncer.ini" "$RUN/pgbouncer/pgbouncer.ini"
  # PostgreSQL here trusts loopback; pgbouncer still needs the user listed.
  printf '"%s" ""\n' "$PG_USER" >"$RUN/pgbouncer/userlist.txt"
  touch "$RUN/log/pgbouncer.log"
}

manage() { # manage ARGS...: manage.py in the service's environment
  (set -a && . "$RUN/env" && set +a && cd "$ROOT" && "$BIN/python" manage.py "$@")
}

background() { # background NAME COMMAND...: in its own session (a process group to signal)
  local name=$1
  shift
  (set -a && . "$RUN/env" && set +a && cd "$ROOT" &&
    exec setsid "$@" >>"$RUN/log/$name.log" 2>&1 </dev/null) &
  echo $! >"$RUN/$name.pid"
}

start_redis() {
  pid_of redis >/dev/null && return
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --dir "$RUN/redis" --appendonly yes --appendfsync everysec --save "" \
    --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$RUN/log/redis.log"
  wait_for 20 Redis redis_answers
}

start_pgbouncer() {
  pid_of pgbouncer >/dev/null && return
  local as=()
  if [ "$(id -u)" = 0 ]; then # pgbouncer will not run as root
    as=(-u "${PGBOUNCER_USER:-postgres}")
    chown -R "${PGBOUNCER_USER:-postgres}" "$RUN/pgbouncer" "$RUN/log/pgbouncer.log"
  fi
  pgbouncer -d "${as[@]}" "$RUN/pgbouncer/pgbouncer.ini"
  wait_for 20 pgbouncer listening "$PGBOUNCER_PORT"
}

start_database() {
  if ! psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DATABASE"
  fi
  manage migrate --noinput -v 0
  manage collectstatic --noinput -v 0
  if [ "$SEED" = demo ]; then manage seed_demo >"$RUN/log/seed_demo.log"; fi
}

redis_answers() { redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; }

web_answers() { curl -fs -o /dev/null "http://127.0.0.1:$1/healthz"; }

start_web() { # start_web a|b PORT
  pid_of "web-$1" >/dev/null && return
  rm -rf "$RUN/metrics-$1" && mkdir -p "$RUN/metrics-$1"
  WEB_BIND=127.0.0.1:$2 PROMETHEUS_MULTIPROC_DIR=$RUN/metrics-$1 \
    background "web-$1" "$BIN/gunicorn" -c "$DEPLOY/gunicorn.conf.py" scheduling.wsgi:application
  wait_for 180 "web node $1" web_answers "$2"
}

start_worker() { # start_worker a|b SCHEDULER
  pid_of "worker-$1" >/dev/null && return
  Q_SCHEDULER=$2 background "worker-$1" "$BIN/python" manage.py qcluster
}

start_nginx() {
  pid_of nginx >/dev/null && return
  nginx -e "$RUN/log/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx.conf"
  wait_for 20 nginx web_answers "$PORT"
}

start_one() {
  case $1 in
    redis) start_redis ;;
    pgbouncer) start_pgbouncer ;;
    web-a) start_web a "$WEB_A_PORT" ;;
    web-b) start_web b "$WEB_B_PORT" ;;
    worker-a) start_worker a 1 ;; # the one that runs the schedules
    worker-b) start_worker b 0 ;;
    nginx) start_nginx ;;
    *) say "unknown component $1 (one of ${COMPONENTS[*]})"; return 2 ;;
  esac
}

start() { # start [COMPONENT...]: all (with migrate and seed) or the ones named
  prepare
  if [ $# -gt 0 ]; then
    for name in "$@"; do start_one "$name"; done
    return
  fi
  start_redis
  start_pgbouncer
  start_database
  for name in web-a web-b worker-a worker-b nginx; do start_one "$name"; done
  status
  say "cluster '$NAME' up: http://127.0.0.1:$PORT (stop: deploy/cluster.sh stop)"
}

stop_one() { # stop_one COMPONENT: its own signal, then SIGKILL to its group after a wait
  local name=$1 pid signal=TERM seconds=30
  pid=$(pid_of "$name") || { rm -f "$RUN/$name.pid"; return 0; }
  case $name in
    nginx) signal=QUIT ;;             # graceful: finish the requests in hand
    worker-*) seconds=60 ;;           # the task in hand may finish
  esac
  kill -s "$signal" "$pid" 2>/dev/null || true
  for _ in $(seq $((seconds * 5))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "cluster: $name outstayed ${seconds}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  # What its session left behind (a gunicorn or qcluster child), if anything.
  case $name in web-* | worker-*) kill -KILL -- "-$pid" 2>/dev/null || true ;; esac
  rm -f "$RUN/$name.pid"
}

stop() { # stop [COMPONENT...]: all, or the ones named
  [ -d "$RUN" ] || return 0
  if [ $# -gt 0 ]; then
    for name in "$@"; do stop_one "$name"; done
    return
  fi
  for name in "${COMPONENTS[@]}"; do stop_one "$name"; done
  say "cluster '$NAME' stopped"
}

status() {
  local name pid
  for name in "${COMPONENTS[@]}"; do
    if pid=$(pid_of "$name"); then echo "$name running $pid"; else echo "$name stopped"; fi
  done
}

command=${1:-}
shift || true
case $command in
  start) start "$@" ;;
  stop) stop "$@" ;;
  status) status ;;
  env) [ -s "$RUN/env" ] || prepare; cat "$RUN/env" ;;
  *) say "usage: $0 start|stop|status|env"; exit 2 ;;
esac
