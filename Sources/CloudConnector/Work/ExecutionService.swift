public import ConnectorCore
public import Logging
public import ServiceLifecycle

/// Runs the work the cloud sends, as a service beside the link: it first ends what a crash
/// interrupted (R13), then takes the link's inbound requests in arrival order. On graceful shutdown
/// it stops taking requests and ends running executions `interrupted`, so their terminal events
/// are in the outbox before the link closes: list it after `ConnectorService` in the ServiceGroup,
/// which shuts services down in reverse order.
public struct ExecutionService: Service {
    let transport: TransportHandler
    let messaging: MessagingHandler?
    let reloader: CapabilityReloader?
    let inbound: AsyncStream<InboundFrame>
    let logger: Logger
    /// Answered request ids are remembered this long (R11); pruned at start and hourly.
    public var inboxRetention: Duration = .seconds(30 * 86_400)

    /// `inbound` carries what `ConnectorService` delivers (`onInbound`), in order.
    public init(
        transport: TransportHandler, messaging: MessagingHandler? = nil, reloader: CapabilityReloader? = nil,
        inbound: AsyncStream<InboundFrame>, logger: Logger
    ) {
        self.transport = transport
        self.messaging = messaging
        self.reloader = reloader
        self.inbound = inbound
        self.logger = logger
    }

    public func run() async throws {
        await transport.recoverInterrupted()
        let pruning = Task { [transport, inboxRetention, logger] in
            while !Task.isCancelled {
                await transport.pruneInbox(retention: inboxRetention, logger: logger)
                try? await Task.sleep(for: .seconds(3_600))
            }
        }
        defer { pruning.cancel() }
        for await frame in inbound.cancelOnGracefulShutdown() {
            switch frame {
            case .executionRequest(let request):
                await transport.handle(request)
            case .executionCancel(let cancel):
                await transport.cancel(cancel)
            case .messagingEvent(let event):
                if let messaging {
                    await messaging.handle(event)
                } else {
                    logger.warning("messaging_event received but no MessagingHandler is configured", metadata: ["request.id": "\(event.requestID)"])
                }
            case .capabilityReload(let reload):
                if let reloader {
                    await reloader.reload(reload)
                } else {
                    logger.notice("capability_reload received; no reload action is configured", metadata: ["pack": "\(reload.pack ?? "-")"])
                }
            default:
                break
            }
        }
        await transport.shutdown()
    }
}
