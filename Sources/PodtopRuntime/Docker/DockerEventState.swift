import PodtopCore

extension DockerContainerSummary {
    /// Sets the state and status that `event` says the container is in now, ahead of the list
    /// and inspect that follow it: under load the daemon took up to 4 s to answer a list, and the
    /// screen must follow a death or a health verdict within the second of its event. Returns
    /// false for an event that says nothing certain about the state (kill, stop, create, …).
    mutating func apply(_ event: DockerEvent) -> Bool {
        switch event.action {
        case "die":
            state = "exited"
            status = "Exited (\(event.actor.attributes["exitCode"] ?? "?"))"
        case "start", "restart":
            // Running, but not yet known to be healthy: whether it has a check at all is the
            // inspect's to say (healthy when it has none), so it shows as running until then.
            state = "running"
            status = "Up (health: starting)"
        case "pause":
            state = "paused"
            status = "Up (Paused)"
        case "health_status: healthy", "health_status: unhealthy":
            // A verdict can trail a death by a moment; it never brings a dead container back.
            guard state == "running" else { return false }
            status = "Up (\(event.action.dropFirst("health_status: ".count)))"
        default:
            return false
        }
        return true
    }
}

extension DockerContainerSummary {
    /// Sets the state and status an inspect gives, in the list's words.
    mutating func take(_ inspected: DockerContainerInspect.State) {
        state = inspected.status
        switch inspected.status {
        case "running":
            switch inspected.health?.status {
            case "healthy": status = "Up (healthy)"
            case "unhealthy": status = "Up (unhealthy)"
            case "starting": status = "Up (health: starting)"
            default: status = "Up"  // no check, or "none"
            }
        case "paused": status = "Up (Paused)"
        case "exited", "dead": status = "Exited (\(inspected.exitCode ?? 0))"
        default: status = inspected.status
        }
    }
}
