//! Changes other than traffic, started from a dialog or the command bar: scale, delete,
//! create from a YAML file. Each puts an operation in the tray and asks the worker to run it.
//! Before a scale or a deployment create is sent, its dialog asks for the quota check here.

use std::path::PathBuf;

use super::effects::start_operation;
use super::msg::{Cmd, QuotaQuestion};
use super::state::{AppState, DeleteTarget, OperationKind};

pub(super) fn scale(
    state: &mut AppState,
    endpoint: &str,
    deployment: &str,
    instances: u32,
) -> Vec<Cmd> {
    let target = format!("{endpoint}/{deployment}");
    let op = start_operation(state, OperationKind::Scale, target);
    vec![Cmd::Scale {
        op,
        endpoint: endpoint.to_string(),
        deployment: deployment.to_string(),
        instances,
    }]
}

/// Asks the worker for the core quota a dialog's change needs; the answer goes to the dialog.
pub(super) fn check_quota(state: &mut AppState, question: QuotaQuestion) -> Vec<Cmd> {
    let request = state.requests.request();
    state.requests.awaited_quota = Some(request);
    vec![Cmd::CheckQuota { request, question }]
}

pub(super) fn delete(state: &mut AppState, target: DeleteTarget) -> Vec<Cmd> {
    let label = match &target.deployment {
        Some(d) => format!("{}/{d}", target.endpoint),
        None => target.endpoint.clone(),
    };
    let op = start_operation(state, OperationKind::Delete, label);
    vec![Cmd::Delete {
        op,
        endpoint: target.endpoint,
        deployment: target.deployment,
    }]
}

/// A deployment of `endpoint` from `file`, or (`None`) an endpoint. `force_update` updates a
/// deployment whose earlier create failed.
pub(super) fn create_from_file(
    state: &mut AppState,
    endpoint: Option<String>,
    file: PathBuf,
    force_update: bool,
) -> Vec<Cmd> {
    match endpoint {
        Some(endpoint) => {
            let target = format!("{endpoint} ← {}", file.display());
            let op = start_operation(state, OperationKind::CreateDeployment, target);
            vec![Cmd::CreateDeployment {
                op,
                endpoint,
                file,
                force_update,
            }]
        }
        None => {
            let target = file.display().to_string();
            let op = start_operation(state, OperationKind::CreateEndpoint, target);
            vec![Cmd::CreateEndpoint { op, file }]
        }
    }
}
