"""The child side: what runs inside a child process — its entry point, the
workloads' executors, the reporter that sends events up the Pipe, and the hosts of the
threads and pool backends. Imports no Qt, and little else: every child pays for each
module at start-up (kept small on purpose: this file imports nothing)."""
