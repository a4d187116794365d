#!/bin/sh
# mvn runs npm through this script (only for the tests: the run command needs no Node), so that a
# machine without npm gets one line, not a Java stack trace: it leaves target/npm-missing, which
# the enforcer's npm-present rule turns into a failure with one message.
mkdir -p target
if command -v npm > /dev/null 2>&1; then
  rm -f target/npm-missing
  exec npm "$@"
fi
echo "npm $*" > target/npm-missing
