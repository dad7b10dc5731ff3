/// The version this build reports in `connect.agent.version` and `--version`.
public enum ConnectorVersion {
    public static let current = "0.3.0"
}
