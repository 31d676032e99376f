// Start GOV.UK Frontend and MoJ Frontend components on every page.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
