/// The balancer name of any lb request — status and remove carry only {"name"} — checked as
/// `LBConfig.parse` checks it (drivers make a directory or file of it).
extension LBConfig {
    public static func name(of payload: JSONValue) throws(LBModelError) -> String {
        guard let name = payload["name"]?.stringValue, isValidName(name) else {
            throw LBModelError("name", "a balancer needs a \"name\" of 1-63 characters from \(namePattern)")
        }
        return name
    }
}
