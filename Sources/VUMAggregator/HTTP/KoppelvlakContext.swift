import Hummingbird
import NIOCore
import NIOSSL
import SwiftASN1
import VUMStandaard
import X509

/// The request context of the REST API: Hummingbird's, plus the connection's channel, from which the
/// client certificate of a mutual-TLS connection is read.
public struct KoppelvlakContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Who the client certificate says the caller is.
    enum CertificateParty: Equatable {
        /// Plain HTTP, or TLS without a client certificate: nothing to check against.
        case none
        /// The OIN in the certificate's subject `serialNumber`, where PKIoverheid puts it.
        case oin(OIN)
        /// A client certificate without an OIN; `subject` for the error message.
        case withoutOIN(subject: String)
    }

    /// Reads the peer certificate from the connection's TLS handler (none on plain HTTP).
    func certificateParty() async -> CertificateParty {
        // Fails when the pipeline has no TLS handler (plain HTTP); nil without a client certificate.
        guard let peer = try? await channel.nioSSL_peerCertificate().get() else { return .none }
        return Self.party(of: peer)
    }

    static func party(of peer: NIOSSLCertificate) -> CertificateParty {
        guard let der = try? peer.toDERBytes(), let certificate = try? Certificate(derEncoded: der) else {
            return .withoutOIN(subject: "(unreadable)")
        }
        let serialNumber: ASN1ObjectIdentifier = [2, 5, 4, 5]
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == serialNumber {
                // PKIoverheid writes the OIN as is; some issuers prefix it ("OIN:" or "NTRNL-").
                let text = String(describing: attribute.value)
                let digits = String(text.reversed().prefix { $0.isNumber }.reversed())
                if let oin = try? OIN(validating: digits) { return .oin(oin) }
            }
        }
        return .withoutOIN(subject: "\(certificate.subject)")
    }
}
