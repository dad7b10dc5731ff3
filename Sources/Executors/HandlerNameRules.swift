/// The handler-name rule (`HandlerName`) for code outside this module that checks a name before
/// any job exists: config.json's `messaging.handler` is refused at start, not at its first message.
public enum HandlerNameRules {
    /// nil when `name` can be a handler's file name (1–128 characters from `[A-Za-z0-9._-]`, not
    /// starting with a dot), else why not, e.g. "starts with a dot".
    public static func problem(with name: String) -> String? {
        HandlerName.problem(with: name)
    }
}
