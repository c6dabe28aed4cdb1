@_exported import PaddockJSON
