#!/usr/bin/env bash
# What each published module brings into a consumer at runtime scope: jar count (the module and
# harmony-api included) and total size. Resolves against harmony-it/target/local-repo, so run
# `mvn verify` (or at least `mvn -DskipTests verify`) first; third-party jars come from ~/.m2 (or
# $M2_REPO) and otherwise from Maven Central. The README's module table quotes its output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$here/target/local-repo
m2=${M2_REPO:-$HOME/.m2/repository}
version=$(sed -n 's#^  <version>\(.*\)</version>#\1#p' "$here/../harmony-bom/pom.xml" | head -1)
[ -d "$repo/dev/harmony" ] || { echo "no $repo/dev/harmony: run mvn verify first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/settings.xml" <<XML
<settings><profiles><profile><id>m2</id>
  <repositories><repository><id>main-build</id><url>file://$m2</url>
    <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></repository></repositories>
  <pluginRepositories><pluginRepository><id>main-build</id><url>file://$m2</url>
    <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></pluginRepository></pluginRepositories>
</profile></profiles><activeProfiles><activeProfile>m2</activeProfile></activeProfiles></settings>
XML
printf '%-22s %5s %9s\n' module jars MB
for m in harmony-api harmony-diagram harmony-testing harmony-queue harmony-dicom harmony-http-client harmony-http harmony-transform harmony-micrometer harmony-fhir harmony-fhir-server; do
  mkdir -p "$work/$m"
  cat > "$work/$m/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>footprint-$m</artifactId><version>1</version>
  <dependencies><dependency><groupId>dev.harmony</groupId><artifactId>$m</artifactId><version>$version</version></dependency></dependencies>
</project>
XML
  (cd "$work/$m" && mvn -B -q -s "$work/settings.xml" -Dmaven.repo.local="$repo" -Daether.offline.protocols=file \
      org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$work/$m/deps" >"$work/$m/log" 2>&1) \
      || { cat "$work/$m/log" >&2; exit 1; }
  jars=$(find "$work/$m/deps" -name '*.jar' | wc -l)
  bytes=$(find "$work/$m/deps" -name '*.jar' -printf '%s\n' | awk '{s+=$1} END {print s}')
  printf '%-22s %5d %9.1f\n' "$m" "$jars" "$(awk -v b="$bytes" 'BEGIN {print b/1e6}')"
done
