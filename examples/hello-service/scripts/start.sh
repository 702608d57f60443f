#!/bin/sh
# Runs in the release folder (releases/<version>) with SERVICE_NAME, SERVICE_VERSION,
# SERVICE_DIR, RELEASE_DIR, DEPLOYMENT_ID and PORT_<NAME> (here PORT_HTTP) set.
# It must start the service in the background and return: its output goes to a file,
# never to this script's stdout/stderr, or the deployment would wait for the server to end.
set -eu
mkdir -p run
nohup python3 bin/server.py --port "$PORT_HTTP" --version "$SERVICE_VERSION" >run/server.log 2>&1 </dev/null &
echo $! >run/server.pid
