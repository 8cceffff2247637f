# deploy/secrets.sh -- sourced (not run) by deploy/rabbitmq.sh and deploy/postgres.sh.
#
# The development secrets of the project's own RabbitMQ node and PostgreSQL
# cluster live in <repo>/.secrets/ (gitignored, never committed):
#   rabbitmq-password   password of RabbitMQ user 'contactrouter'
#   postgres-password   password of PostgreSQL role 'contactrouter'
#   pgpass              the same, in PostgreSQL's password-file format (the
#                       store's default connection string reads it)
# The directory is mode 0700 and every file 0600, owned by whoever owns the
# checkout (the developer, also when the scripts run through sudo), so the
# application and the tests, run as that user, can read them.
#
# A password comes from an environment variable if that is set (it is then
# written to the file too, so the app's defaults and the tests agree with the
# server); otherwise from the file; otherwise a random one is made once.
#
# Needs REPO_ROOT set by the caller.

SECRETS_DIR="$REPO_ROOT/.secrets"

# write_secret FILE CONTENT: writes FILE (0600, owned like the checkout) unless it already holds CONTENT.
write_secret() {
    local file="$1" content="$2" owner tmp
    owner="$(stat -c '%u:%g' "$REPO_ROOT")"
    if [[ ! -d "$SECRETS_DIR" ]]; then
        mkdir -m 700 "$SECRETS_DIR"
        chown "$owner" "$SECRETS_DIR"
    fi
    if [[ -f "$file" && "$(cat "$file")" == "$content" ]]; then
        return 0
    fi
    tmp="$(mktemp "$SECRETS_DIR/.tmp.XXXXXX")"
    printf '%s\n' "$content" >"$tmp"
    chmod 600 "$tmp"
    chown "$owner" "$tmp"
    mv -f "$tmp" "$file"
}

# secret_password VAR FILE: prints the password (from $VAR, else FILE, else a new random one kept in FILE).
secret_password() {
    local var="$1" file="$2" password=""
    if [[ -n "${!var:-}" ]]; then
        password="${!var}"
    elif [[ -s "$file" ]]; then
        password="$(head -n 1 "$file")"
    fi
    if [[ -z "$password" ]]; then
        password="$(head -c 48 /dev/urandom | base64 -w 0 | tr -dc 'A-Za-z0-9')"
        password="${password:0:32}"
    fi
    if [[ "$password" == *$'\n'* || "$password" == *$'\r'* ]]; then
        echo "error: \$$var must be one line" >&2
        return 1
    fi
    write_secret "$file" "$password"
    printf '%s' "$password"
}

# sudo_preserve VAR...: the sudo option that keeps those of the variables that are set (sudo resets the environment).
sudo_preserve() {
    local var list=""
    for var in "$@"; do
        [[ -n "${!var:-}" ]] && list="${list:+$list,}$var"
    done
    [[ -n "$list" ]] && printf -- '--preserve-env=%s' "$list"
    return 0
}
