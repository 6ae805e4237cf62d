/** What a first visit shows: enough to sign in, calculate and watch the logs arrive. */
export const starterDocument = `# microservice-math through the router (docs/playground.md has more).
#
# 1. Run "Register" (or "Login") and copy the token from the response.
# 2. Open "Headers" below and set: { "authorization": "Bearer THE_TOKEN" }
# 3. Run "Calculate", or "LiveLogs" in a second tab and calculate in the first.

mutation Register {
  register(username: "ada", password: "correct horse battery") {
    token
    expiresAt
  }
}

mutation Login {
  login(username: "ada", password: "correct horse battery") {
    token
  }
}

query Calculate {
  factorial(n: 20) { result digits exact cached durationMs }
  me { username logs(limit: 5) { operation input resultPreview } }
}

subscription LiveLogs {
  logAdded { operation input resultPreview user { username } }
}
`;

export const starterHeaders = `{}`;
