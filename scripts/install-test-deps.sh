#!/usr/bin/env bash
# Installs the Debian packages `npm run test:interop` needs (run as root; idempotent).
# Run it BEFORE `npm ci`: the optional PC/SC binding builds against libpcsclite-dev.
#
#   openpace        cvc-create / cvc-print: an independent CV-certificate implementation
#   xmlsec1         independent XML signature / encryption checks
#   ausweisapp2     the reference eID-Client (TR-03124), driven headless through its SDK
#   pcscd, vsmartcard-vpcd, opensc, pcsc-tools, libpcsclite-dev   the virtual card as a PC/SC reader
#   simplesamlphp, php-cli, php-xml, php-mbstring   a SAML SP independent of ours (the package does not pull in the last two)
#   apache2, libapache2-mod-auth-openidc   an OIDC RP independent of ours
#   shibboleth-sp-utils, libapache2-mod-shib   Shibboleth SP 3 (shibd + mod_shib), a SAML SP independent of ours
#   chromium        the browser the demo test drives (Playwright, no bundled browser download)
#   fonts-noto-cjk  Traditional Chinese glyphs for the pages Chromium renders (docs/images screenshots)
#   redis-server    private Redis instances for the session-store tests
#   softhsm2        a PKCS#11 token for the server's signing keys (the optional pkcs11js binding builds at npm ci)
#   python3-cryptography   OAEP-SHA-256 decryption, where xmlsec1 1.2 lacks it
#   default-jdk-headless   the JDK's XML Schema validator checks our SOAP messages against schemas/
#   prometheus, haproxy    promtool lints /metrics and checks deploy/prometheus.yml; haproxy -c checks deploy/haproxy.cfg
set -euo pipefail

PACKAGES=(
  openpace xmlsec1 ausweisapp2
  pcscd vsmartcard-vpcd opensc pcsc-tools libpcsclite-dev
  simplesamlphp php-cli php-xml php-mbstring
  apache2 libapache2-mod-auth-openidc
  shibboleth-sp-utils libapache2-mod-shib
  chromium fonts-noto-cjk
  redis-server
  softhsm2
  python3-cryptography
  default-jdk-headless
  prometheus haproxy
  ca-certificates
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps.sh must run as root (it uses apt-get)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "test dependencies already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing: ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Packages may start daemons on install; the tests start their own instances on loopback ports.
for svc in apache2 pcscd prometheus haproxy shibd; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
  pkill -x "$svc" 2>/dev/null || true
done
echo "test dependencies installed"
