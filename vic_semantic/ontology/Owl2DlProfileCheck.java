// Check an RDF/XML ontology against the OWL 2 DL profile with the OWL API that HermiT.jar
// (shipped with owlready2) bundles. Run with the JDK single-file launcher:
//
//     java -cp HermiT.jar Owl2DlProfileCheck.java ontology.owl
//
// Prints one line per violation, "<violation class>\t<OWL API message>", and exits with 0
// whether or not there are violations; a file that does not load exits with 2. The Python
// side (vic_semantic.ontology.profile) removes owl:imports before writing the file, so the
// OWL API never fetches anything.

import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class Owl2DlProfileCheck {
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -cp HermiT.jar Owl2DlProfileCheck.java ONTOLOGY.owl");
            System.exit(2);
        }

        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        } catch (OWLOntologyCreationException error) {
            System.err.println("cannot load " + args[0] + ": " + error.getMessage());
            System.exit(2);
            return;
        }

        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            String message = violation.toString().replaceAll("[\\t\\r\\n]+", " ");
            System.out.println(violation.getClass().getSimpleName() + "\t" + message);
        }
    }
}
