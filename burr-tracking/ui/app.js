// The burr tracking UI: projects, apps, and one app's steps, state, spans and graph. Native ES
// modules with no dependencies, served by the tracking server as they are. Every string that
// comes from a log is put into the page as text (textContent or text nodes), never parsed as HTML.
//
// The modules, under js/. Views import the modules beside views/, which never import a view;
// api.js and router.js import nothing.
//   api.js           the tracking server's HTTP API
//   router.js        location hash <-> view, and the visit that ends when the hash changes
//   loaded_steps.js  the steps of one app loaded so far, and loading more
//   step.js          a step's status and times
//   graph_layout.js  an app's graph placed in layers; graph_svg.js draws it; svg_zoom.js
//                    zooms, pans and fits it
//   json_tree.js     a JSON value as a collapsible tree; json_diff.js the changes between two
//   highlight.js     Python and Rust code cut into highlighted tokens (text nodes only)
//   annotation_text.js  annotations as text and as CSV; insights.js  LLM calls, tokens, cost
//                    and span times summed over steps
//   format.js, prefs.js, dom.js   text formatting, choices kept across visits, element building
//   views/           what the location shows; each view keeps its state in one object
//     projects.js      the projects
//     apps.js          the apps of a project
//     annotations.js   the annotations of a project, filtered, as JSON or CSV
//     app.js           one app: its state (AppPage) and the keyboard; drawn by app_head.js,
//                      step_list.js, app_graph.js, step_detail.js, and live.js in live mode
//     tabs/            one module per tab of a step's details: state, spans, stream, inputs,
//                      result, code, graph, insights, annotations, reproduce
//     parts.js         chips, links and sections used by several views
//     frame.js         the breadcrumbs, the connection status and the main area
import { onConnection } from "./js/api.js";
import { startRouter } from "./js/router.js";
import { annotationsPage } from "./js/views/annotations.js";
import { appPage } from "./js/views/app.js";
import { appsPage } from "./js/views/apps.js";
import { setUpTheme, showConnection, showError } from "./js/views/frame.js";
import { projectsPage } from "./js/views/projects.js";

setUpTheme();
onConnection(showConnection);
startRouter((visit, parts, q) => {
  if (parts[0] === "project" && parts.length === 2) return appsPage(visit, parts[1], q);
  if (parts[0] === "project" && parts[2] === "app" && parts.length === 4) return appPage(visit, parts[1], parts[3], q);
  if (parts[0] === "project" && parts[2] === "annotations" && parts.length === 3) return annotationsPage(visit, parts[1], q);
  return projectsPage(visit);
}, showError);
