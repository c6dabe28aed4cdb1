import PaddockNetworkCore
import PaddockPluginKit

extension DriverError {
    init(_ error: NetworkError) {
        self.init(code: error.code.rawValue, error.message, details: error.details)
    }
}
