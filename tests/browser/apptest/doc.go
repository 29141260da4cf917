// Package apptest drives the whole app in headless Chromium for the
// end-to-end tests (tests/app, tests/reliability): Page opens the site in a
// fresh browser and records what the tab reports (its requests, and its
// workers' when followed, and a test's script run in them before theirs;
// console messages; exceptions;
// Content-Security-Policy violations), with the actions a person takes
// (click, type, read, screenshot) and the steps of the flow the tests
// share (load the demo model, a sample dataset, the quick preset), and a
// check of what the page exposes to assistive technology in its current
// state (CheckAccessible: names, keyboard reach, ids, heading levels,
// text contrast; ColorScheme switches to the dark scheme);
// Recorder is a loopback server that logs every request it gets, and
// ServeSite serves a built site with worker/site's handler through one.
//
// Files: page.go (Page), workers.go (following workers' requests),
// flow.go (the shared steps), access.go (CheckAccessible, ColorScheme),
// recorder.go (Recorder, ServeSite).
package apptest
