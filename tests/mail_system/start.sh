#!/usr/bin/env bash
# A throwaway mail system for the `mail_system` tests, on loopback only: Postfix (SMTP on
# 127.0.0.1:2525) delivering over LMTP to Dovecot (IMAP on 127.0.0.1:1143), each with its own
# configuration under $MAIL_SYSTEM_DIR (never /etc/postfix or /etc/dovecot's own). Virtual users
# with static passwords: the service's mailbox and a few peers'. Idempotent: running it again
# rewrites the configuration and restarts both; `stop` stops both.
#
#   tests/mail_system/start.sh          # start (or restart)
#   tests/mail_system/start.sh stop
#
# Needs Debian's `postfix` and `dovecot-imapd` + `dovecot-lmtpd` (.ci/run installs them).
set -euo pipefail

DIR="${MAIL_SYSTEM_DIR:-/tmp/lga-mail-system}"
SMTP_PORT="${MAIL_SYSTEM_SMTP_PORT:-2525}"
IMAP_PORT="${MAIL_SYSTEM_IMAP_PORT:-1143}"
LMTP_PORT="${MAIL_SYSTEM_LMTP_PORT:-2424}"
PASSWORD="${MAIL_SYSTEM_PASSWORD:-mail-system-test}"
# The service's mailbox, the offer contact's, the peers' and a booker's (.test is reserved for
# testing: RFC 2606).
USERS=(peer-scheduling@lga.test programme@lga.test peer1@peers.test peer2@peers.test peer3@peers.test
  peer4@peers.test peer5@peers.test booker@council.test)

PF="$DIR/postfix"
DV="$DIR/dovecot"

stop() {
  if [ -f "$PF/main.cf" ]; then postfix -c "$PF" stop >/dev/null 2>&1 || true; fi
  if [ -f "$DV/dovecot.conf" ]; then doveadm -c "$DV/dovecot.conf" stop >/dev/null 2>&1 || true; fi
  for _ in $(seq 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null \
      && ! (exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
}

if [ "${1:-start}" = "stop" ]; then stop; exit 0; fi
command -v postfix >/dev/null && command -v dovecot >/dev/null || {
  echo "postfix and dovecot are not installed (apt-get install postfix dovecot-imapd dovecot-lmtpd)" >&2
  exit 1
}
stop

mkdir -p "$PF" "$DV/run" "$DIR/mail" "$DIR/spool" "$DIR/data"
chown mail:mail "$DIR/mail"
chown postfix "$DIR/data"
chmod 755 "$DIR"

# Dovecot ------------------------------------------------------------------------------------
: >"$DV/users"
for user in "${USERS[@]}"; do echo "$user:{PLAIN}$PASSWORD::::::" >>"$DV/users"; done
chmod 644 "$DV/users"
cat >"$DV/dovecot.conf" <<CONF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DV/run
instance_name = lga-mail-system
log_path = $DIR/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 8
mail_uid = mail
mail_gid = mail
mail_location = maildir:$DIR/mail/%d/%n
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DV/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DIR/mail/%d/%n allow_all_users=no
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
protocol lmtp {
  postmaster_address = postmaster@lga.test
}
CONF
dovecot -c "$DV/dovecot.conf"

# Postfix ------------------------------------------------------------------------------------
# Virtual mailbox domains handed to Dovecot over LMTP. Recipients are not checked at RCPT time
# (smtpd_reject_unlisted_recipient = no), so a message to an unknown address is taken and then
# bounced by Postfix with an RFC 3464 report, as a remote mail system does. $PF/refuse holds
# addresses answered with a temporary refusal (4xx) at RCPT time, for the outbox's retry tests.
touch "$PF/refuse"
cat >"$PF/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $DIR/spool
data_directory = $DIR/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.lga.test
mydomain = lga.test
myorigin = lga.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
smtpd_banner = \$myhostname ESMTP
smtpd_relay_restrictions = permit_mynetworks reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$PF/refuse, permit_mynetworks, reject
smtpd_reject_unlisted_recipient = no
virtual_mailbox_domains = lga.test, peers.test, council.test
# Nothing leaves the machine: mail for any other domain is bounced at once, without DNS.
default_transport = error:no mail leaves the test mail system
relay_transport = error:no mail leaves the test mail system
smtp_dns_support_level = disabled
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
alias_maps =
alias_database =
local_recipient_maps =
biff = no
maillog_file = $DIR/postfix.log
maillog_file_prefixes = $DIR
message_size_limit = 20480000
delay_warning_time = 0
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
minimal_backoff_time = 5s
maximal_backoff_time = 10s
queue_run_delay = 5s
CONF
cat >"$PF/master.cf" <<CONF
$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
# A configuration directory other than /etc/postfix must be named in the default one.
if ! postconf -h alternate_config_directories | tr ', ' '\n\n' | grep -qx "$PF"; then
  postconf -e "alternate_config_directories = $(postconf -h alternate_config_directories) $PF"
fi
# (Postfix reports its own errors to syslog, or to a terminal: `script` gives it one.)
script -qec "postfix -c $PF check" /dev/null
script -qec "postfix -c $PF start" /dev/null >/dev/null

for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null \
    && (exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT") 2>/dev/null; then
    echo "mail system: SMTP 127.0.0.1:$SMTP_PORT, IMAP 127.0.0.1:$IMAP_PORT, mailboxes under $DIR/mail"
    exit 0
  fi
  sleep 0.1
done
echo "the mail system did not start: see $DIR/postfix.log and $DIR/dovecot.log" >&2
exit 1
