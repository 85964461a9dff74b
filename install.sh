#!/usr/bin/env bash
# Install the try-on kiosk on a Debian appliance: system user, /opt/kiosk, config, systemd units.
#
#   sudo ./install.sh                 install or reinstall this checkout, enable the units
#   sudo ./install.sh --dry-run       print every action, change nothing
#   sudo ./install.sh --uninstall     remove program and units; keep config and data
#   sudo ./install.sh --uninstall --purge   also remove /etc/kiosk, /var/lib/kiosk and the user
#
# --root DIR installs into an alternate root (for tests and image builds): users, apt and
# running systemd are left alone there; units are enabled with `systemctl --root`.
set -Eeuo pipefail

PREFIX=/opt/kiosk
ROOT=""
DRY_RUN=0
UNINSTALL=0
PURGE=0
NO_APT=0
UV_VERSION=0.13.9
KIOSK_USER=kiosk
UNITS=(kiosk-app.service kiosk-sync.service)
APT_PACKAGES=(python3 python3-venv cage libegl1 libgl1 libopengl0 libxkbcommon0
  libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core)

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
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
      *) echo "skip: systemctl $* (alternate root)" ;;
    esac
  else
    run systemctl "$@"
  fi
}

version() {
  local v
  v=$(sed -n 's/^version = "\(.*\)"/\1/p' "$SRC/pyproject.toml" | head -n 1)
  if git -C "$SRC" rev-parse --short HEAD >/dev/null 2>&1; then
    v="$v+$(git -C "$SRC" rev-parse --short HEAD)"
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

find_uv() {
  if command -v uv >/dev/null 2>&1; then
    command -v uv
  elif [[ -x $DEST/tools/bin/uv ]]; then
    echo "$DEST/tools/bin/uv"
  else
    echo ""
  fi
}

copy_release() {
  local rel=$1
  run mkdir -p "$rel"
  if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    # Exactly the committed files: no local venv, caches or demo data.
    if (( DRY_RUN )); then
      echo "would copy: git-tracked files of $SRC -> $rel"
    else
      echo "+ copy git-tracked files of $SRC -> $rel"
      git -C "$SRC" ls-files -z | (cd "$SRC" && tar --null -T - -cf -) | tar -xf - -C "$rel"
    fi
  else
    if (( DRY_RUN )); then
      echo "would copy: $SRC -> $rel (without .venv, var)"
    else
      echo "+ copy $SRC -> $rel"
      (cd "$SRC" && tar --exclude=./.venv --exclude=./var --exclude=./.git -cf - .) | tar -xf - -C "$rel"
    fi
  fi
}

do_install() {
  local ver rel uv
  ver=$(version)
  rel="$DEST/releases/$ver"
  say "installing kiosk $ver to $DEST"
  install_apt
  create_user
  copy_release "$rel"

  uv=$(find_uv)
  if [[ -z $uv ]]; then
    say "installing uv $UV_VERSION into $DEST/tools"
    run python3 -m venv "$DEST/tools"
    run "$DEST/tools/bin/pip" install --quiet "uv==$UV_VERSION"
    uv="$DEST/tools/bin/uv"
  fi
  say "creating the Python environment from uv.lock"
  run env UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$rel/.venv" \
    "$uv" sync --frozen --no-dev --project "$rel"

  # Atomic switch: a new symlink renamed over the old one.
  run ln -sfn "releases/$ver" "$DEST/current.new"
  run mv -T "$DEST/current.new" "$DEST/current"

  say "configuration in $ETC"
  run mkdir -p "$ETC"
  if [[ -e $ETC/kiosk.toml ]]; then
    echo "keep: $ETC/kiosk.toml exists and is never overwritten"
  else
    write_file "$ETC/kiosk.toml" 0640 < "$SRC/config/kiosk.toml.template"
    chown_ "root:$KIOSK_USER" "$ETC/kiosk.toml"
  fi
  if [[ -e $ETC/person_password ]]; then
    echo "keep: $ETC/person_password exists"
  else
    write_file "$ETC/person_password" 0600 < /dev/null
    echo "note: put the person API password into $ETC/person_password"
  fi

  say "data directory $DATA"
  run mkdir -p "$DATA"
  run chmod 0750 "$DATA"
  chown_ "$KIOSK_USER:$KIOSK_USER" "$DATA"

  say "systemd units"
  for u in "${UNITS[@]}"; do
    sed "s#/opt/kiosk#$PREFIX#g" "$SRC/systemd/$u" | write_file "$UNIT_DIR/$u" 0644
  done
  systemctl_ daemon-reload
  systemctl_ enable "${UNITS[@]}"
  say "done. Next: edit $ETC/kiosk.toml, check it with"
  echo "    $PREFIX/current/.venv/bin/kiosk config check $ETC/kiosk.toml"
  echo "    $PREFIX/current/.venv/bin/kiosk doctor"
  echo "then: systemctl start ${UNITS[*]}"
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
else
  do_install
fi
