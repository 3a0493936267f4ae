import Foundation

/// Builds the create request for a new replica from an existing one's inspect, as compose
/// scaling does: same config and host config, the next container number, none of the old
/// container's identity (hostname, MAC address, fixed addresses, host ports).
enum DockerClone {
    static func createBody(from inspect: [String: Any], containerNumber: Int) -> [String: Any] {
        var body = (inspect["Config"] as? [String: Any]) ?? [:]
        body.removeValue(forKey: "Hostname")
        body.removeValue(forKey: "MacAddress")
        var labels = (body["Labels"] as? [String: String]) ?? [:]
        labels["com.docker.compose.container-number"] = "\(containerNumber)"
        body["Labels"] = labels
        if var host = inspect["HostConfig"] as? [String: Any] {
            // A fixed host port is already taken by the replica being cloned.
            host.removeValue(forKey: "PortBindings")
            body["HostConfig"] = host
        }
        if let networks = (inspect["NetworkSettings"] as? [String: Any])?["Networks"] as? [String: Any] {
            var endpoints: [String: Any] = [:]
            for (name, value) in networks {
                guard name != "host", name != "none", let settings = value as? [String: Any] else { continue }
                var endpoint: [String: Any] = [:]
                if let links = settings["Links"], !(links is NSNull) { endpoint["Links"] = links }
                if let service = labels["com.docker.compose.service"] { endpoint["Aliases"] = [service] }
                endpoints[name] = endpoint
            }
            if !endpoints.isEmpty { body["NetworkingConfig"] = ["EndpointsConfig": endpoints] }
        }
        return body
    }
}

