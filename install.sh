#!/usr/bin/env bash
# Install the try-on kiosk on a Debian appliance: system user, /opt/kiosk, config, systemd units.
#
#   sudo ./install.sh                 install or reinstall this checkout, enable the units
#   sudo ./install.sh --upgrade [--from DIR|BUNDLE.tar.gz]
#                                     new release beside the running one, checked, switched,
#                                     health-checked; rolled back by itself if it fails
#   sudo ./install.sh --rollback      back to the release before the last upgrade
#   sudo ./install.sh --dry-run       print every action, change nothing
#   sudo ./install.sh --uninstall     remove program and units; keep config and data
#   sudo ./install.sh --uninstall --purge   also remove /etc/kiosk, /var/lib/kiosk and the user
#
# --from takes a checkout, an unpacked bundle or a bundle tarball (script/bundle: wheels
# for this platform + uv.lock + the app), which installs with no network at all.
# --root DIR installs into an alternate root (for tests and image builds): users, apt and
# running systemd are left alone there; units are enabled with `systemctl --root`.
# Set KIOSK_SYSTEMCTL to a systemctl to start, stop and health-check units even there.
set -Eeuo pipefail

PREFIX=/opt/kiosk
ROOT=""
DRY_RUN=0
UNINSTALL=0
PURGE=0
NO_APT=0
UPGRADE=0
ROLLBACK=0
FROM=""
HEALTH_TIMEOUT=120
HEALTH_HOLD=30
KEEP_RELEASES=3
UV_VERSION=0.13.9
KIOSK_USER=kiosk
UNITS=(kiosk-app.service kiosk-sync.service)
APT_PACKAGES=(python3 python3-venv cage libegl1 libgl1 libopengl0 libegl-mesa0 libgl1-mesa-dri libxkbcommon0
  libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core)

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

# Run a command, or only show it under --dry-run.
run() {
  if (( DRY_RUN )); then
    printf 'would run:'; printf ' %q' "$@"; printf '\n'
  else
    printf '+'; printf ' %q' "$@"; printf '\n'
    "$@"
  fi
}

# Write stdin to a file, or show where it would go under --dry-run.
write_file() {
  local dest=$1 mode=$2
  if (( DRY_RUN )); then
    echo "would write: $dest (mode $mode)"
    cat >/dev/null
  else
    echo "+ write $dest (mode $mode)"
    install -D -m "$mode" /dev/stdin "$dest"
  fi
}

while (( $# )); do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --purge) PURGE=1 ;;
    --no-apt) NO_APT=1 ;;
    --upgrade) UPGRADE=1 ;;
    --rollback) ROLLBACK=1 ;;
    --from) FROM=${2:?--from needs a directory or a bundle tarball}; shift ;;
    --from=*) FROM=${1#--from=} ;;
    --health-timeout) HEALTH_TIMEOUT=${2:?}; shift ;;
    --health-hold) HEALTH_HOLD=${2:?}; shift ;;
    --root) ROOT=${2:?--root needs a directory}; shift ;;
    --root=*) ROOT=${1#--root=} ;;
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
    --prefix=*) PREFIX=${1#--prefix=} ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift
done
(( PURGE && !UNINSTALL )) && die "--purge only makes sense with --uninstall"
(( UPGRADE + ROLLBACK + UNINSTALL > 1 )) && die "--upgrade, --rollback and --uninstall exclude each other"
if [[ -n $ROOT ]]; then
  ROOT="$(cd "$ROOT" && pwd)" || die "--root $ROOT does not exist"
  [[ $ROOT == / ]] && ROOT=""
fi
if [[ -z $ROOT ]] && (( !DRY_RUN )) && (( EUID != 0 )); then
  die "run as root (sudo ./install.sh), or try --dry-run to see what it would do"
fi

ETC="$ROOT/etc/kiosk"
DATA="$ROOT/var/lib/kiosk"
UNIT_DIR="$ROOT/etc/systemd/system"
DEST="$ROOT$PREFIX"

systemctl_() {
  if [[ -n $ROOT ]]; then
    case $1 in
      enable|disable) run systemctl --root="$ROOT" "$@" ;;
      *) if [[ -n ${KIOSK_SYSTEMCTL:-} ]]; then run "$KIOSK_SYSTEMCTL" "$@"
         else echo "skip: systemctl $* (alternate root)"; fi ;;
    esac
  else
    run "${KIOSK_SYSTEMCTL:-systemctl}" "$@"
  fi
}

# Whether units really run here: on the machine itself, or in a root with KIOSK_SYSTEMCTL.
units_live() { [[ -z $ROOT || -n ${KIOSK_SYSTEMCTL:-} ]]; }

# The release name: VERSION of a bundle, else pyproject's version + the commit.
version() {
  local src=$1 v
  if [[ -f $src/VERSION ]]; then
    tr -d '[:space:]' < "$src/VERSION"
    return
  fi
  v=$(sed -n 's/^version = "\(.*\)"/\1/p' "$src/pyproject.toml" | head -n 1)
  if git -C "$src" rev-parse --short HEAD >/dev/null 2>&1; then
    v="$v+$(git -C "$src" rev-parse --short HEAD)"
  fi
  echo "${v:-0.0.0}"
}

install_apt() {
  if [[ -n $ROOT ]] || (( NO_APT )); then
    echo "skip: apt-get install ${APT_PACKAGES[*]} (alternate root or --no-apt)"
    return
  fi
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if (( ${#missing[@]} )); then
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "ok: apt packages present"
  fi
}

create_user() {
  if [[ -n $ROOT ]]; then
    echo "skip: system user $KIOSK_USER (alternate root)"
    return
  fi
  if id "$KIOSK_USER" >/dev/null 2>&1; then
    echo "ok: user $KIOSK_USER exists"
  else
    run useradd --system --user-group --home-dir /var/lib/kiosk --shell /usr/sbin/nologin \
      --comment "try-on kiosk" "$KIOSK_USER"
  fi
  local groups=()
  for g in video render input; do getent group "$g" >/dev/null && groups+=("$g"); done
  (( ${#groups[@]} )) && run usermod -a -G "$(IFS=,; echo "${groups[*]}")" "$KIOSK_USER"
  return 0
}

chown_() {
  if [[ -n $ROOT ]]; then
    echo "skip: chown $* (alternate root)"
  else
    run chown "$@"
  fi
}

# uv: on PATH, installed by an earlier run, or installed now (from the bundle's wheels when
# there is one, so a store without internet needs nothing else).
find_uv() {
  local src=$1
  if command -v uv >/dev/null 2>&1; then
    command -v uv
    return
  fi
  if [[ ! -x $DEST/tools/bin/uv ]]; then
    say "installing uv $UV_VERSION into $DEST/tools" >&2
    run python3 -m venv "$DEST/tools" >&2
    if [[ -d $src/wheels ]]; then
      run "$DEST/tools/bin/pip" install --quiet --no-index --find-links "$src/wheels" "uv==$UV_VERSION" >&2
    else
      run "$DEST/tools/bin/pip" install --quiet "uv==$UV_VERSION" >&2
    fi
  fi
  echo "$DEST/tools/bin/uv"
}

copy_release() {
  local src=$1 rel=$2
  run mkdir -p "$rel"
  if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    # Exactly the committed files: no local venv, caches or demo data.
    if (( DRY_RUN )); then
      echo "would copy: git-tracked files of $src -> $rel"
    else
      echo "+ copy git-tracked files of $src -> $rel"
      git -C "$src" ls-files -z | (cd "$src" && tar --null -T - -cf -) | tar -xf - -C "$rel"
    fi
  else
    if (( DRY_RUN )); then
      echo "would copy: $src -> $rel (without .venv, var, wheels)"
    else
      echo "+ copy $src -> $rel"
      (cd "$src" && tar --exclude=./.venv --exclude=./var --exclude=./.git --exclude=./wheels -cf - .) \
        | tar -xf - -C "$rel"
    fi
  fi
}

# The release's Python environment: `uv sync` from uv.lock with the network, or, from a
# bundle, the same pins (exported from uv.lock) from its checksummed wheels alone.
build_env() {
  local src=$1 rel=$2 uv
  uv=$(find_uv "$src")
  if [[ -d $src/wheels ]]; then
    say "creating the Python environment from the bundle's wheels (offline)"
    if (( !DRY_RUN )); then
      (cd "$src/wheels" && sha256sum --quiet -c SHA256SUMS) \
        || die "the bundle's wheels do not match their SHA256SUMS: copy the bundle again"
    fi
    run env UV_PYTHON_DOWNLOADS=never "$uv" venv --quiet --python python3 "$rel/.venv"
    # --no-deps: the list is uv.lock's whole closure, already resolved with the project's
    # overrides (as `uv sync` installs it); resolving it again would undo those.
    run env UV_OFFLINE=1 "$uv" pip install --quiet --python "$rel/.venv/bin/python" --no-index \
      --no-deps --find-links "$src/wheels" -r "$src/requirements.txt"
    run env UV_OFFLINE=1 "$uv" pip install --quiet --python "$rel/.venv/bin/python" --no-index \
      --find-links "$src/wheels" --no-deps -e "$rel"
  else
    say "creating the Python environment from uv.lock"
    # --no-default-groups: none of pyproject's dependency groups (dev tools, test servers).
    run env UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$rel/.venv" \
      "$uv" sync --frozen --no-default-groups --project "$rel"
  fi
}

switch_current() {
  # Atomic: a new symlink renamed over the old one; a power cut leaves one or the other.
  run ln -sfn "releases/$1" "$DEST/current.new"
  run mv -T "$DEST/current.new" "$DEST/current"
}

install_units() {
  local src=$1
  say "systemd units"
  for u in "${UNITS[@]}"; do
    sed "s#/opt/kiosk#$PREFIX#g" "$src/systemd/$u" | write_file "$UNIT_DIR/$u" 0644
  done
  systemctl_ daemon-reload
}

# The secrets, one file each in $ETC, passed to the units with LoadCredential= (the names
# are KioskConfig's SECRETS). systemd reads them as root, so they are root's alone (0600); an
# empty file means "not set" and the kiosk uses kiosk.toml. An existing file is never
# rewritten, only its mode tightened: a password written with `echo` is world-readable.
CREDENTIALS=(person_password tryon_merchant_key messaging_password smtp_password
  s3_access_key s3_secret_key upload_key catalog_password)

credentials() {
  local name f mode empty=()
  for name in "${CREDENTIALS[@]}"; do
    f="$ETC/$name"
    if [[ -e $f ]]; then
      mode=$(stat -c %a "$f")
      if [[ $mode != 600 ]]; then
        run chmod 0600 "$f"
        chown_ root:root "$f"
      fi
      [[ -s $f ]] || empty+=("$name")
    else
      write_file "$f" 0600 < /dev/null
      empty+=("$name")
    fi
  done
  echo "credentials: ${CREDENTIALS[*]} in $ETC (0600 root; an existing file is never overwritten)"
  if (( ${#empty[@]} )); then
    echo "note: still empty (kiosk.toml's value is used, if any): ${empty[*]}"
  fi
}

config_and_data() {
  local src=$1
  say "configuration in $ETC"
  run mkdir -p "$ETC"
  if [[ -e $ETC/kiosk.toml ]]; then
    echo "keep: $ETC/kiosk.toml exists and is never overwritten"
  else
    write_file "$ETC/kiosk.toml" 0640 < "$src/config/kiosk.toml.template"
    chown_ "root:$KIOSK_USER" "$ETC/kiosk.toml"
  fi
  credentials
  say "data directory $DATA"
  run mkdir -p "$DATA"
  run chmod 0750 "$DATA"
  chown_ "$KIOSK_USER:$KIOSK_USER" "$DATA"
}

# A bundle tarball is unpacked next to the releases (same file system, removed at exit).
SCRATCH="$DEST/.incoming"
cleanup() { if (( !DRY_RUN )) && [[ -d $SCRATCH ]]; then rm -rf "$SCRATCH"; fi; }
trap cleanup EXIT

source_dir() {
  local from=${FROM:-$SRC}
  if [[ -f $from ]]; then
    if (( DRY_RUN )); then
      echo "$from"
      return
    fi
    rm -rf "$SCRATCH"
    mkdir -p "$SCRATCH"
    say "unpacking $from" >&2
    tar -xf "$from" -C "$SCRATCH" || die "$from is not a readable bundle tarball"
    local top
    top=$(find "$SCRATCH" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    [[ -n $top && -f $top/pyproject.toml ]] || die "$from holds no kiosk release (no pyproject.toml)"
    echo "$top"
  elif [[ -d $from ]]; then
    [[ -f $from/pyproject.toml ]] || die "$from holds no kiosk release (no pyproject.toml)"
    (cd "$from" && pwd)
  else
    die "--from $from: no such file or directory"
  fi
}

do_install() {
  local src ver rel
  src=$(source_dir)
  ver=$(version "$src")
  rel="$DEST/releases/$ver"
  say "installing kiosk $ver to $DEST"
  install_apt
  create_user
  copy_release "$src" "$rel"
  build_env "$src" "$rel"
  switch_current "$ver"
  config_and_data "$src"
  install_units "$src"
  systemctl_ enable "${UNITS[@]}"
  say "done. Next: edit $ETC/kiosk.toml, check it with"
  echo "    $PREFIX/current/.venv/bin/kiosk config check $ETC/kiosk.toml"
  echo "    $PREFIX/current/.venv/bin/kiosk doctor"
  echo "then: systemctl start ${UNITS[*]}"
}

# ---- upgrade and rollback -------------------------------------------------------------------
# State of the last upgrade, for --rollback: the release before it and the database backup.
STATE="$DEST/rollback.env"

# The CLI of a release, on the installed config, as the user the units run as: a database
# or backup it creates must stay writable by the kiosk, not owned by root.
kiosk_() {
  local rel=$1; shift
  local as=()
  if [[ -z $ROOT ]] && id "$KIOSK_USER" >/dev/null 2>&1; then
    as=(runuser -u "$KIOSK_USER" --)
  fi
  run "${as[@]}" env KIOSK_CONFIG="$ETC/kiosk.toml" "$rel/.venv/bin/kiosk" --config "$ETC/kiosk.toml" "$@"
}

# Put the pre-upgrade backup back only when the schema changed: a release that did not
# migrate runs on the newer data as it is, and nothing recorded since the upgrade is lost.
# A restore keeps the replaced database in backups/ (kiosk db restore).
restore_db_if_migrated() {
  local rel=$1 backup=$2 now before
  [[ -n $backup ]] || return 0
  now=$(kiosk_ "$rel" db schema 2>/dev/null | tail -n 1) || now="?"
  before=$(kiosk_ "$rel" db schema "$backup" 2>/dev/null | tail -n 1) || before="?"
  if [[ $now == "$before" ]]; then
    echo "keep: database schema v$now is what the previous release knows; nothing to restore"
  else
    say "restoring the database backup (schema v$now -> v$before)"
    kiosk_ "$rel" db restore "$backup"
  fi
}

health_check() {
  local rel=$1 ver=$2 since=$3
  if ! units_live; then
    echo "skip: health check of the running units (alternate root)"
    return 0
  fi
  say "health check: both units up and steady for ${HEALTH_HOLD}s (limit ${HEALTH_TIMEOUT}s)"
  local u
  for u in "${UNITS[@]}"; do
    systemctl_ is-active --quiet "$u" || { echo "health: $u is not active"; }
  done
  kiosk_ "$rel" health --since "$since" --release "$ver" --timeout "$HEALTH_TIMEOUT" --hold "$HEALTH_HOLD"
}

prune_releases() {
  local keep=("$@") r name n=0
  while IFS= read -r r; do
    name=${r##*/}
    n=$((n + 1))
    if (( n > KEEP_RELEASES )) && [[ ! " ${keep[*]} " == *" $name "* ]]; then
      run rm -rf "$r"
    fi
  done < <(find "$DEST/releases" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
}

# Back to `prev` after `from` failed or on request; `backup` is the pre-upgrade database.
roll_back() {
  local prev=$1 from=$2 backup=$3
  say "rolling back to $prev"
  systemctl_ stop "${UNITS[@]}"
  switch_current "$prev"
  restore_db_if_migrated "$DEST/releases/$from" "$backup"
  install_units "$DEST/releases/$prev"
  systemctl_ start "${UNITS[@]}"
  run rm -f "$STATE"
}

do_upgrade() {
  if [[ ! -L $DEST/current ]]; then
    say "nothing installed at $DEST yet: installing instead of upgrading"
    do_install
    return
  fi
  local src ver rel prev backup since
  prev=$(readlink "$DEST/current")
  prev=${prev#releases/}
  src=$(source_dir)
  ver=$(version "$src")
  rel="$DEST/releases/$ver"
  if [[ $ver == "$prev" ]]; then
    say "release $ver is already the running one; nothing to do"
    return
  fi
  say "upgrading kiosk $prev -> $ver (beside it, in $rel)"
  [[ -e $rel ]] && run rm -rf "$rel"        # a leftover of an earlier failed attempt
  copy_release "$src" "$rel"
  build_env "$src" "$rel"

  # Nothing has changed for the running kiosk until the new release accepts its config.
  if ! kiosk_ "$rel" config check "$ETC/kiosk.toml" \
      || ! kiosk_ "$rel" doctor --require config,disk,sqlite --probe-seconds 0.2; then
    run rm -rf "$rel"
    die "release $ver refuses this kiosk's config or storage (above); still running $prev"
  fi

  systemctl_ stop "${UNITS[@]}"
  if ! backup=$(kiosk_ "$rel" db backup --label "pre-$ver" | tail -n 1); then
    systemctl_ start "${UNITS[@]}"
    run rm -rf "$rel"
    die "cannot back up the database; still running $prev"
  fi
  echo "database backup: ${backup:-none (no database yet)}"
  if ! kiosk_ "$rel" db migrate || ! kiosk_ "$rel" simulate --dry-run --sessions 3; then
    restore_db_if_migrated "$rel" "$backup"
    systemctl_ start "${UNITS[@]}"
    run rm -rf "$rel"
    die "release $ver failed its migration or smoke test (above); database restored, still running $prev"
  fi

  switch_current "$ver"
  if (( !DRY_RUN )); then
    printf 'PREVIOUS=%q\nCURRENT=%q\nDB_BACKUP=%q\n' "$prev" "$ver" "$backup" > "$STATE"
  fi
  install_units "$rel"
  since=$(date +%s)
  systemctl_ start "${UNITS[@]}"
  if ! health_check "$rel" "$ver" "$since"; then
    roll_back "$prev" "$ver" "$backup"
    die "release $ver failed its health check; rolled back to $prev (the new release stays in $rel)"
  fi
  prune_releases "$ver" "$prev"
  say "upgraded to $ver; ./install.sh --rollback goes back to $prev"
}

do_rollback() {
  [[ -f $STATE ]] || die "no upgrade to roll back (no $STATE)"
  local PREVIOUS="" CURRENT="" DB_BACKUP=""
  # shellcheck disable=SC1090  # written by do_upgrade above
  source "$STATE"
  [[ -d $DEST/releases/$PREVIOUS ]] || die "release $PREVIOUS is no longer in $DEST/releases"
  roll_back "$PREVIOUS" "$CURRENT" "$DB_BACKUP"
  say "running $PREVIOUS again; install.sh --upgrade --from ... goes forward"
}

do_uninstall() {
  say "uninstalling kiosk from $DEST"
  if [[ -z $ROOT ]]; then
    for u in "${UNITS[@]}"; do
      if systemctl list-unit-files "$u" >/dev/null 2>&1; then
        run systemctl disable --now "$u" || true
      fi
    done
  else
    for u in "${UNITS[@]}"; do
      [[ -e $UNIT_DIR/$u ]] && systemctl_ disable "$u"
    done
  fi
  for u in "${UNITS[@]}"; do
    [[ -e $UNIT_DIR/$u ]] && run rm -f "$UNIT_DIR/$u"
  done
  systemctl_ daemon-reload
  [[ -e $DEST ]] && run rm -rf "$DEST"
  if (( PURGE )); then
    say "purging configuration, data and the $KIOSK_USER user"
    run rm -rf "$ETC" "$DATA"
    if [[ -z $ROOT ]] && id "$KIOSK_USER" >/dev/null 2>&1; then
      run userdel "$KIOSK_USER"
    fi
  else
    echo "keep: $ETC (configuration) and $DATA (events, photos); --purge removes them"
  fi
}

if (( UNINSTALL )); then
  do_uninstall
elif (( ROLLBACK )); then
  do_rollback
elif (( UPGRADE )); then
  do_upgrade
else
  do_install
fi
