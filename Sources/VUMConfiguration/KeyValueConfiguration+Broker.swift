import AMQPClient
import Logging

extension KeyValueConfiguration {
    /// The broker keys every daemon has.
    public static func brokerKeys(user: String) -> [Key] {
        [
            Key(
                "broker.url", "amqps://localhost:5671/vum",
                "amqps://host:port/vhost (certificate login) or amqp://user@host:port/vhost (development only); "
                    + "a cluster's nodes separated by commas (amqps://rmq1:5671,rmq2:5671/vum), tried in turn"),
            Key(
                "broker.password", "", "the password for amqp:// login; better set in the environment than in the file",
                secret: true),
            Key(
                "broker.user", "",
                "the broker user messages are sent as (user_id); default: the URL's user, else \(user)"),
            Key("tls.ca", "", "CA certificate file (PEM) that signed the broker's certificate; required for amqps"),
            Key("tls.certificate", "", "the client certificate (PEM) for certificate login"),
            Key("tls.key", "", "the client certificate's private key (PEM)"),
        ]
    }

    /// The broker connection and the user its messages carry as `user_id` (`broker.user`, else the URL's
    /// user, else `defaultUser`).
    public func broker(connectionName: String, defaultUser: String) throws(ConfigurationError)
        -> (configuration: AMQPConfiguration, user: String)
    {
        var tls: AMQPConfiguration.TLS?
        if !string("tls.ca").isEmpty {
            var t = AMQPConfiguration.TLS(caFile: string("tls.ca"))
            if !string("tls.certificate").isEmpty { t.certificateFile = string("tls.certificate") }
            if !string("tls.key").isEmpty { t.keyFile = string("tls.key") }
            guard (t.certificateFile == nil) == (t.keyFile == nil) else {
                throw fail("tls.certificate", "tls.certificate and tls.key go together")
            }
            tls = t
        }
        let url = string("broker.url")
        if url.hasPrefix("amqp://"), !url.contains("@") {
            throw fail(
                "broker.url",
                "amqp:// needs the user in the URL (amqp://user@host:port/vhost), with its password there or in "
                    + "broker.password; certificate login needs amqps://")
        }
        var broker: AMQPConfiguration
        do { broker = try AMQPConfiguration(url: url, tls: tls) } catch let error as AMQPError {
            // The URL's own words ("broker URL amqps://…: no host"), without the error code around them.
            throw fail("broker.url", error.replyText ?? "\(error)")
        } catch {
            throw fail("broker.url", "\(error)")
        }
        if case .plain(let user, let password) = broker.authentication, password.isEmpty,
            !string("broker.password").isEmpty
        {
            broker.authentication = .plain(user: user, password: string("broker.password"))
        }
        if case .external = broker.authentication, tls?.certificateFile == nil {
            throw fail(
                "tls.certificate", "certificate login (amqps:// without a user) needs tls.certificate and tls.key")
        }
        broker.connectionName = connectionName
        var user = defaultUser
        if !string("broker.user").isEmpty {
            user = string("broker.user")
        } else if case .plain(let u, _) = broker.authentication {
            user = u
        }
        return (broker, user)
    }
}

extension AMQPConfiguration {
    /// Says at start when a daemon logs in to the broker with a password instead of a certificate.
    public func warnIfPasswordLogin(_ logger: Logger) {
        if case .plain = authentication {
            logger.warning(
                "password login to the broker: for local development only; production uses amqps:// with a client certificate"
            )
        }
    }
}
