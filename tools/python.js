// The Python of the Cannlytics compatibility test: a virtual environment in .local/venv with
// test/cannlytics/requirements.txt installed (packages the machine already has are reused, so
// it needs the network only where they are missing). Returns the interpreter's path.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const venv = path.join(root, '.local', 'venv');
const python = path.join(venv, 'bin', 'python');
const requirements = path.join(root, 'test', 'cannlytics', 'requirements.txt');
const stamp = path.join(venv, 'requirements.txt');

function pythonWithRequirements() {
  const wanted = fs.readFileSync(requirements, 'utf8');
  if (fs.existsSync(python) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) {
    return python;
  }
  execFileSync('python3', ['-m', 'venv', '--system-site-packages', venv], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '-r', requirements], {
    stdio: 'inherit',
  });
  fs.writeFileSync(stamp, wanted);
  return python;
}

module.exports = { pythonWithRequirements };
