# The Python examples of the Cannlytics organizations docs (../shared/reference), run as written
# against this API: BASE comes from the environment instead of console.cannlytics.com, and the API
# key from the .env file the test writes, as the docs load it. Then what Cannlytics clients do with
# the answers: read `success` and `message`, post an organization back as it was read.
# Prints one JSON line of results for test/integration/cannlytics.test.ts to check.
import json
import os
import sys

import requests
from dotenv import load_dotenv

#  Pass API key through the authorization header as a bearer token.
load_dotenv('.env')
API_KEY = os.getenv('CANNLYTICS_API_KEY')
HEADERS = {
    'Authorization': 'Bearer %s' % API_KEY,
    'Content-type': 'application/json',
}

# Define the API.
BASE = os.environ['BASE']
ENDPOINT = 'organizations'
results = {}


def record(name, response):
    results[name] = {'status': response.status_code, 'body': response.json()}


# GET /api/organizations
url = f'{BASE}/organizations'
response = requests.get(url, headers=HEADERS)
print('Response:', response.json(), file=sys.stderr)
record('list', response)

# GET /api/organizations/{org_id}
org_id = os.environ['ORG_ID']
url = f'{BASE}/organizations/{org_id}'
response = requests.get(url, headers=HEADERS)
print('Response:', response.json(), file=sys.stderr)
record('get', response)

# GET /api/organizations/{org_id}/team
url = f'{BASE}/{ENDPOINT}/{org_id}/team'
response = requests.get(url, headers=HEADERS)
print('Response:', response.json(), file=sys.stderr)
record('team', response)

# A client that reads `success`, and `message` on a failure.
response = requests.get(f'{BASE}/organizations/no-such-org', headers=HEADERS)
body = response.json()
results['missing'] = {'status': response.status_code, 'success': body['success'], 'message': body['message']}

# The console's edit: read the organization, change one field, post the whole object back.
organization = requests.get(f'{BASE}/organizations/{org_id}', headers=HEADERS).json()['data']
organization['phone'] = '(555) 010-4242'
response = requests.post(f'{BASE}/organizations/{org_id}', headers=HEADERS, json=organization)
record('post_back', response)

# The same through POST /api/organizations, which updates when the body names the organization.
organization = response.json()['data']
organization['city'] = 'Oakland'
response = requests.post(f'{BASE}/organizations', headers=HEADERS, json=organization)
record('post_back_create_route', response)

# DELETE answers a body, so `response.json()` never raises.
response = requests.delete(f'{BASE}/organizations/{org_id}', headers=HEADERS)
record('archive', response)

print(json.dumps(results))
