import Foundation

/// Centroids of the Dutch 4-digit postcode areas, for `selectiegebied`.
///
/// Loaded from a CSV with the columns `pc4,lat,lon,name` and a header line (for example
/// `../shared/data/nl-pc4.csv`; its location is configuration). A 6-character postcode is looked up by
/// its first four digits.
public struct PC4Table: Sendable {
    public struct Centroid: Sendable, Hashable {
        public var latitude: Double
        public var longitude: Double
    }

    private var centroids: [Int: Centroid]
    /// The same areas ordered by latitude, so a question's circle reads only its band of latitudes.
    private var byLatitude: [(pc4: Int, centroid: Centroid)]

    public init(_ centroids: [Int: Centroid]) {
        self.centroids = centroids
        byLatitude = centroids.map { (pc4: $0.key, centroid: $0.value) }
            .sorted { ($0.centroid.latitude, $0.pc4) < ($1.centroid.latitude, $1.pc4) }
    }

    public var count: Int { centroids.count }
    public var postcodeAreas: [Int] { centroids.keys.sorted() }

    public func centroid(_ pc4: Int) -> Centroid? { centroids[pc4] }
    public func centroid(_ postcode: Postcode) -> Centroid? { centroids[postcode.pc4] }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the CSV; a malformed line is an error naming the file and the line.
    public static func load(path: String) throws(LoadError) -> PC4Table {
        let text: String
        do { text = try FileContents.text(path) } catch {
            throw LoadError(description: "cannot read the PC4 table \(path): \(error)")
        }
        return try parse(csv: text, source: path)
    }

    public static func parse(csv text: String, source: String = "CSV") throws(LoadError) -> PC4Table {
        var centroids: [Int: Centroid] = [:]
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            if number == 0 && trimmed.hasPrefix("pc4") { continue }
            let fields = trimmed.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3, let pc4 = Int(fields[0]), (1000...9999).contains(pc4),
                let lat = Double(fields[1]), let lon = Double(fields[2]), (-90...90).contains(lat),
                (-180...180).contains(lon)
            else {
                throw LoadError(
                    description:
                        "\(source) line \(number + 1): expected pc4,lat,lon,name, got \"\(trimmed.prefix(80))\"")
            }
            centroids[pc4] = Centroid(latitude: lat, longitude: lon)
        }
        guard !centroids.isEmpty else { throw LoadError(description: "\(source) holds no postcode areas") }
        return PC4Table(centroids)
    }

    /// The postcode areas whose centroid lies within `radius` km of `centre`, nearest first (ties by
    /// PC4), with their distance. A bounding box in degrees, a little wider than the circle, rules out
    /// most areas before the exact great-circle distance decides, with the same bound as ``Evaluator``.
    public func areas(within radius: Double, of centre: Centroid) -> [(pc4: Int, distance: Double)] {
        let kmPerDegree = 6371.0088 * .pi / 180
        let latMargin = radius / kmPerDegree * 1.01 + 1e-6
        let widest = min(89.9, abs(centre.latitude) + latMargin)
        let lonMargin = widest >= 89.9 ? 360 : latMargin / cos(widest * .pi / 180)
        var found: [(pc4: Int, distance: Double)] = []
        // The first area at or above the band's lowest latitude, by binary search; then up to its highest.
        var low = 0
        var high = byLatitude.count
        while low < high {
            let middle = (low + high) / 2
            if byLatitude[middle].centroid.latitude < centre.latitude - latMargin {
                low = middle + 1
            } else {
                high = middle
            }
        }
        for entry in byLatitude[low...] {
            if entry.centroid.latitude > centre.latitude + latMargin { break }
            guard abs(entry.centroid.longitude - centre.longitude) <= lonMargin else { continue }
            let d = Self.distance(centre, entry.centroid)
            if d <= radius + 1e-9 { found.append((entry.pc4, d)) }
        }
        found.sort { ($0.distance, $0.pc4) < ($1.distance, $1.pc4) }
        return found
    }

    /// Great-circle distance in km (haversine, mean Earth radius).
    public static func distance(_ a: Centroid, _ b: Centroid) -> Double {
        let r = 6371.0088
        let dLat = (b.latitude - a.latitude) * .pi / 180
        let dLon = (b.longitude - a.longitude) * .pi / 180
        let h =
            sin(dLat / 2) * sin(dLat / 2)
            + cos(a.latitude * .pi / 180) * cos(b.latitude * .pi / 180) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }
}
