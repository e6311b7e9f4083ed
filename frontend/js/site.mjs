// Starts govuk-frontend's components (service navigation menu, error summary focus, password
// reveal, skip link) on every page that marks them with data-module.
import { initAll } from "./govuk-frontend.min.js";

initAll();
