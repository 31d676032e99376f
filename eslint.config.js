// ESLint for the project's own JavaScript (`make lint`). Third-party files
// copied by `make static`, and the service worker (a Django template, not
// plain JavaScript), are not linted.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: [
      "static/vendor/**",
      "static/build/**",
      "staticfiles/**",
      // make smoke collects the production static files here.
      ".run/**",
      "node_modules/**",
      ".venv/**",
      "test-results/**",
      // Django templates that render JavaScript (the service worker).
      "*/templates/**",
    ],
  },
  js.configs.recommended,
  {
    rules: {
      eqeqeq: "error",
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { caughtErrors: "none" }],
    },
  },
  {
    // The outbox, the progress poller and GOV.UK Frontend's start-up: ES
    // modules, loaded with <script type="module">.
    files: ["static/abcd/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // The asset map: a classic script after Leaflet's, which defines L.
    files: ["static/assets/map.js"],
    languageOptions: {
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly" },
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
