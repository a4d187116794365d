#!/bin/sh
# mvn runs npm through this script, so that a machine without npm gets one line, not a Java stack
# trace: `npm.sh ci` goes on (the server needs no Node; the demo page falls back to a plain
# textarea without the CodeMirror packages); for anything else (the tests) it leaves
# target/npm-missing, which the enforcer's npm-present rule turns into a failure with one message.
mkdir -p target
if command -v npm > /dev/null 2>&1; then
  rm -f target/npm-missing
  exec npm "$@"
fi
if [ "$1" = ci ]; then
  echo "[WARNING] client-js: npm not found, so no CodeMirror packages: the demo page uses a plain textarea (Node.js 20+ with npm brings CodeMirror and runs the client-js tests)"
else
  echo "npm $*" > target/npm-missing
fi
